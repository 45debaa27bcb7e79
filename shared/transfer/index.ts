/** The transfer's public surface: one import for main's command checks and the renderer's buttons. */
export * from './transferModel.js';
export * from './transferRules.js';
export * from './transferMachine.js';
export { assertNever } from './assertNever.js';
export * from './context.js';
export * from './view.js';
