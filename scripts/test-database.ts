import pg from 'pg'
import { createDatabase } from '../src/platform/database/database.ts'
import { prepareDatabase } from '../src/prepare-database.ts'

/** Replaces the database name in a connection string. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString)
  url.pathname = `/${database}`
  return url.toString()
}

export async function adminQuery(connectionString: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A migrated, seeded template database; each test file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds. */
export async function createTemplateDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `drop database if exists "${name}"`)
  await adminQuery(serverUrl, `create database "${name}"`)
  const database = createDatabase({ connectionString: withDatabase(serverUrl, name), poolMax: 2 })
  try {
    await prepareDatabase(database.db)
  } finally {
    await database.close()
  }
}
