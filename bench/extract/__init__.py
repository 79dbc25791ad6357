"""Generic article extraction on saved real news pages against trafilatura alone."""
