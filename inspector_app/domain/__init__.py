"""Domain model: enterprises, officers, visits, events and the rules over them."""
