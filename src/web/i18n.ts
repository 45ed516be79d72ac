// The web layer's view of the message catalogs (src/messages/, a leaf module).
export * from '../messages/index.js';
