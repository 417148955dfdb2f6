export { namespaceStore, type NamespaceStore } from './namespace-store.js';
export { objectNoun, type StoredObjectKind } from './object-kinds.js';
