"""The async Transmit client on httpx: client-credentials token cache, one method per
endpoint, typed errors, retries. No Qt."""
