"""Lexicons shipped with the tagger: domain words for jieba and cue terms per tag."""
