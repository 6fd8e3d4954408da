/**
 * Flow control, reader side: the agent may only send as many bytes as we have
 * acknowledged. The terminal acknowledges bytes once xterm.js has rendered them,
 * batched so a fast stream does not turn into one ACK frame per chunk. The rule
 * is protocol/credit.ts's, shared with the agent and the controller's file transfers.
 */
export { CreditAcks } from '../../../protocol/credit.js';
