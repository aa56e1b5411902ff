// The leak test compares global native handle counts, so tests in this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
