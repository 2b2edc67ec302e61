"""The ecosystem check: shiplint over the shared corpus of real release configurations,
compared with a reviewed record of every error and warning it reports there."""
