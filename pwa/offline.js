// What the volunteer's app keeps on the device for when there is no signal, in IndexedDB (never localStorage):
// the last answer of GET /me/sessions?as=volunteer (with when it was fetched), and the actions made offline that
// wait to be sent (accepting an offer, checking in). Both are forgotten on sign-out.
const NAME = "apuri";
const SNAPSHOTS = "snapshots";
const QUEUE = "queue";

function openDb() {
  return new Promise((resolve, reject) => {
    if (!("indexedDB" in self)) return reject(new Error("no IndexedDB"));
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(SNAPSHOTS)) db.createObjectStore(SNAPSHOTS);
      if (!db.objectStoreNames.contains(QUEUE)) db.createObjectStore(QUEUE, { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run `work(objectStore)` in one transaction; resolves with the result of the request it returns. */
async function inStore(name, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, mode);
    const request = work(transaction.objectStore(name));
    let result;
    if (request) request.onsuccess = () => (result = request.result);
    transaction.oncomplete = () => {
      db.close();
      resolve(result);
    };
    transaction.onerror = transaction.onabort = () => {
      db.close();
      reject(transaction.error);
    };
  });
}

export function saveSnapshot(key, value) {
  return inStore(SNAPSHOTS, "readwrite", (s) => s.put(value, key));
}

export function readSnapshot(key) {
  return inStore(SNAPSHOTS, "readonly", (s) => s.get(key));
}

/** Adds an action to send later; resolves with its id. */
export function enqueue(item) {
  return inStore(QUEUE, "readwrite", (s) => s.add(item));
}

export async function queued() {
  try {
    return (await inStore(QUEUE, "readonly", (s) => s.getAll())) || [];
  } catch {
    return [];
  }
}

export function updateQueued(item) {
  return inStore(QUEUE, "readwrite", (s) => s.put(item));
}

export function removeQueued(id) {
  return inStore(QUEUE, "readwrite", (s) => s.delete(id));
}

/** Sign-out: nothing of this person stays on the device. */
export async function forgetAll() {
  try {
    await inStore(SNAPSHOTS, "readwrite", (s) => s.clear());
    await inStore(QUEUE, "readwrite", (s) => s.clear());
  } catch {
    // No IndexedDB: nothing was kept.
  }
}
