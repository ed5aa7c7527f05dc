"""Staff accounts' access: changes to a member of staff's role, programs, teams and
flags, the second administrator's approval, and the pages that ask for them."""
