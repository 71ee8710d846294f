import path from 'node:path'
import { projectPackage } from '../platform/project-root.ts'

/** Where `npm run build:console` writes the web console (Vite's outDir): console/dist under the project root. */
export const CONSOLE_DIST_DIR = path.join(projectPackage.root, 'console', 'dist')
