"""The eval suite: golden transcripts run through the real pipeline, scored, reported, gated."""
