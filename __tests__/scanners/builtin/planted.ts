// The planted secrets live with the image fixtures the demo also uses.
export * from '../../../scripts/lib/planted-secrets.js'
