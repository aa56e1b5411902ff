// Every test class starts real PostgreSQL and QUIC silos; on 2 cores they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
