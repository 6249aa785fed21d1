"""`confide demo`: synthetic data (Faker en_GB) for trying Confide and for benchmarks."""
