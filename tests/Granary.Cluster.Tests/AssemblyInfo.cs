// Several silo processes and a PostgreSQL server per test: on 2 cores, one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
