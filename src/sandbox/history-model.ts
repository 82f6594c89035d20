// AWS Config's configuration history in the sandbox: per resource, its configuration items in
// time order, as GetResourceConfigHistory and ListDiscoveredResources serve them.
import type { ItemBody } from './history-items.js';

export const ITEM_STATUSES = ['OK', 'ResourceDiscovered', 'ResourceNotRecorded', 'ResourceDeleted', 'ResourceDeletedNotRecorded'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface StoredItem {
  captureTime: Date;
  status: ItemStatus;
  stateId: string;
  /** the resource as recorded; absent for the not-recorded and deleted statuses */
  body?: ItemBody;
}

export interface Timeline {
  resourceType: string;
  resourceId: string;
  resourceName: string;
  arn: string;
  /** ascending capture time */
  items: StoredItem[];
  /** set when the last item says the resource was deleted */
  deletedAt?: Date;
}

export interface HistoryRegion {
  timelines: Timeline[];
}
