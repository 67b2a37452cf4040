"""Operations: backups, restore, replication."""
