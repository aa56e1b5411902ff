// Every test class shares one real PostgreSQL and starts Orleans silos; on 2 cores they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
