"""Time: the clock adapters read and, later, the weekly jobs that run on a schedule."""
