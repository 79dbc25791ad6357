"""Authoring of the labeled corpus (yuqing/nlp/corpus/posts.csv); see README.md here."""
