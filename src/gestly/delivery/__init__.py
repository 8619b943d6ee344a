"""Delivery: the asynchronous worker that claims due deliveries and sends them."""
