/**
 * Channel numbers on one agent must not collide between nodes: a console on node A and one
 * on node B may both open a shell on an agent held by B. Each node takes a slot at start
 * and numbers its shells and file transfers in its slot's own part of each range, so the
 * file channels keep their place (protocol isFileChannel) and the holder of an agent can
 * tell, from a channel number alone, which node a frame belongs to.
 */
import { FILE_CHANNEL_BASE, FILE_CHANNEL_END } from '../../../protocol/index.js';

/** Nodes a cluster may have at once. */
export const CHANNEL_SLOTS = 64;

const SHELL_SPAN = Math.floor((FILE_CHANNEL_BASE - 1) / CHANNEL_SLOTS);
const FILE_SPAN = Math.floor((FILE_CHANNEL_END - FILE_CHANNEL_BASE) / CHANNEL_SLOTS);

/** Numbers from `first` up to (not including) `end`. */
export interface ChannelRange {
  readonly first: number;
  readonly end: number;
}

export function shellChannels(slot: number): ChannelRange {
  checkSlot(slot);
  return { first: 1 + slot * SHELL_SPAN, end: 1 + (slot + 1) * SHELL_SPAN };
}

export function fileChannels(slot: number): ChannelRange {
  checkSlot(slot);
  return { first: FILE_CHANNEL_BASE + slot * FILE_SPAN, end: FILE_CHANNEL_BASE + (slot + 1) * FILE_SPAN };
}

/** The slot of the node that numbered a channel; null for numbers no node gives (0, an agent's own). */
export function slotOfChannel(channel: number): number | null {
  if (!Number.isInteger(channel) || channel < 1) return null;
  if (channel < FILE_CHANNEL_BASE) {
    const slot = Math.floor((channel - 1) / SHELL_SPAN);
    return slot < CHANNEL_SLOTS ? slot : null;
  }
  if (channel < FILE_CHANNEL_END) {
    const slot = Math.floor((channel - FILE_CHANNEL_BASE) / FILE_SPAN);
    return slot < CHANNEL_SLOTS ? slot : null;
  }
  return null;
}

function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= CHANNEL_SLOTS) throw new RangeError(`channel slot ${slot} is not from 0 to ${CHANNEL_SLOTS - 1}`);
}
