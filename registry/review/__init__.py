"""The officer review queue: pending items of every package, through ``core.workflow.QueueSource``."""
