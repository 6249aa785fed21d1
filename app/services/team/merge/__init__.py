"""The merge of a remote change with this computer's pending one (docs/sync.md §8.2, §8.4).

`decide` and `resolve` are pure functions of row images; the rest reads the schema (unique keys,
set-valued child rows, history tables) and applies their answers.
"""
