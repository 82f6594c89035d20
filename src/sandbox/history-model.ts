// AWS Config's configuration history in the sandbox: per resource, its configuration items in
// time order, as GetResourceConfigHistory and ListDiscoveredResources serve them.

/** What one configuration item says about its resource (besides time, status and state id). */
export interface ItemBody {
  resourceType: string;
  resourceId: string;
  resourceName: string;
  arn: string;
  availabilityZone: string;
  resourceCreationTime?: Date;
  tags: Record<string, string>;
  /** the configuration object (served as a JSON string) */
  configuration: Record<string, unknown>;
  /** each value is served as a JSON string, as Config does */
  supplementaryConfiguration: Record<string, unknown>;
}

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
