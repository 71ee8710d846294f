import { writeFile } from 'node:fs/promises'
import { generateOpenApiDocument } from './openapi-document.ts'

// `npm run openapi`: regenerate the committed contract after changing a route schema.
await writeFile(new URL('../openapi/openapi.json', import.meta.url), await generateOpenApiDocument())
console.log('openapi/openapi.json written')
