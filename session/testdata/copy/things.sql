CREATE TABLE things (id text PRIMARY KEY, note text, num numeric, ok boolean);
INSERT INTO things VALUES
 ('a', E'tab\there', 1.5, true),
 ('b', E'line1\nline2 back\\slash', NULL, false),
 ('c', '', -0.001, NULL),
 ('d', 'quote "x", comma', 100, true),
 ('e', NULL, 100000000000000000000, false),
 ('f', E'\\.', 0, true),
 ('g', E'\\N', 7, true),
 ('h', E'cr\rhere|pipe', 2, false),
 ('i', E'h\u00e9llo \u2603', 3, true),
 ('j', E'bell\x07 vt\x0b ff\x0c bs\x08', 4, true);
