"""Claims about the structure of sparse networks: R (linear regions, Cai et al. 2023)."""
