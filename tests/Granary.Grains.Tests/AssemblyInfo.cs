// The silo tests share one real PostgreSQL and start Orleans silos; on 2 cores the classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
