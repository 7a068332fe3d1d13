"""Thin discord.py adapters, one extension module per feature (``async def setup(bot)``)."""
