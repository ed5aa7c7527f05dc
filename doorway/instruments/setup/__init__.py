"""Setting instruments up: a program's questionnaires and scales, their versions and
definitions, edited by those who configure them."""
