"""Everything that runs learner code and confines it: the worker process, the isolation
tiers, killing a process tree, and `grade doctor`. Nothing here knows about classes, reports
or course platforms."""
