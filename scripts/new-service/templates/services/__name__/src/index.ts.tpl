export { __name__Service } from './__name__.service.js';
export { CREATE_NOTE } from './note/create-note.rpc-controller.js';
