"""The webhook engine's pure core: nothing here touches the network or a database."""
