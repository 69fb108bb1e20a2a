import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database-url.ts';

describe('parseDatabaseUrl', () => {
  it('resolves sqlite paths from the working directory, absolute paths as given', () => {
    expect(parseDatabaseUrl('sqlite:./data/llm-relay.db', '/srv/app')).toEqual({ kind: 'sqlite', path: '/srv/app/data/llm-relay.db' });
    expect(parseDatabaseUrl('sqlite:data/x.db', '/srv/app')).toEqual({ kind: 'sqlite', path: '/srv/app/data/x.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/relay.db', '/srv/app')).toEqual({ kind: 'sqlite', path: '/var/lib/relay.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });
  it('passes MongoDB URIs through and rejects other schemes without echoing credentials', () => {
    expect(parseDatabaseUrl('mongodb://u:p@db:27017/relay')).toEqual({ kind: 'mongodb', uri: 'mongodb://u:p@db:27017/relay' });
    expect(parseDatabaseUrl('mongodb+srv://cluster.example/relay').kind).toBe('mongodb');
    expect(() => parseDatabaseUrl('postgres://u:secret@h/db')).toThrow(/sqlite: or mongodb/);
    expect(() => parseDatabaseUrl('postgres://u:secret@h/db')).not.toThrow(/secret/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/names no file/);
  });
});
