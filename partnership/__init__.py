"""What every stage of the flow shares about the partnership: its validated settings, its reporting
years, its feeds and the code version that stamps what it publishes. Every package may import this
one; it imports none of them."""
