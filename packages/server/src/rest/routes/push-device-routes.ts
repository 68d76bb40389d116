import { Errors, permitsSomewhere } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import type { PushDeviceRecord } from '../../ports/push-store.js';
import {
  deviceToWire,
  hashSecret,
  newIdentityToken,
  parseRegistration,
  type DeviceRegistration,
} from '../../push/device-registration.js';
import {
  isPushAdmin,
  pushCaller,
  requirePushAdmin,
  type PushCaller,
} from '../../push/push-access.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { pageLimit } from './push-paging.js';

const idOf = (body: unknown): string | undefined => {
  const id = (body as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Who may write this registration: `push-admin`, or `push-subscribe` for a new device or for
 * the device whose identity the request proves (RSH3b3); a non-admin may only name itself as
 * the device's clientId.
 */
function requireMayRegister(
  caller: PushCaller,
  reg: DeviceRegistration,
  existing: PushDeviceRecord | undefined,
): void {
  if (isPushAdmin(caller)) return;
  if (!permitsSomewhere(caller.auth.capability, 'push-subscribe'))
    throw Errors.pushNotPermitted('registering a device needs push-subscribe or push-admin');
  if (existing && caller.device?.id !== existing.id)
    throw Errors.pushNotPermitted(
      `device ${reg.id} is registered; prove its identity to change it`,
    );
  if (reg.clientId !== undefined && reg.clientId !== caller.auth.clientId)
    throw Errors.pushNotPermitted(`a device may not be registered for clientId ${reg.clientId}`);
}

/** Stores a registration; mints an identity token when asked or when the device is new. */
async function store(
  ctx: EngineContext,
  caller: PushCaller,
  reg: DeviceRegistration,
  existing: PushDeviceRecord | undefined,
  rotateToken: boolean,
): Promise<Record<string, unknown>> {
  const now = ctx.clock.now();
  const token = rotateToken || !existing ? newIdentityToken() : undefined;
  const deviceSecret = reg.deviceSecret ?? existing?.deviceSecret;
  const record: PushDeviceRecord = {
    appId: caller.appId,
    id: reg.id,
    platform: reg.platform,
    formFactor: reg.formFactor,
    recipient: reg.recipient,
    // A new registration is ACTIVE; one rewritten with a new recipient gets a fresh start.
    state: 'ACTIVE',
    identityTokenHash: token ? hashSecret(token) : existing!.identityTokenHash,
    updatedAt: now,
    ...(reg.clientId === undefined ? {} : { clientId: reg.clientId }),
    ...(reg.metadata === undefined ? {} : { metadata: reg.metadata }),
    ...(deviceSecret === undefined ? {} : { deviceSecret }),
  };
  await ctx.pushStore.savePushDevice(record);
  return deviceToWire(record, token ? { token, issued: now } : undefined);
}

/** POST /push/deviceRegistrations (RSH3b3, activation): registers and issues an identity token. */
export async function registerDeviceRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const body = decodeBody(req);
  const caller = await pushCaller(ctx, req, idOf(body));
  const reg = parseRegistration(body);
  const existing = await ctx.pushStore.getPushDevice(caller.appId, reg.id);
  requireMayRegister(caller, reg, existing);
  return respond(req, 201, await store(ctx, caller, reg, existing, true));
}

/** PUT and PATCH /push/deviceRegistrations/{id} (RSH1b3 save; PATCH updates given fields). */
export async function saveDeviceRoute(
  ctx: EngineContext,
  req: RestRequest,
  id: string,
): Promise<RestResponse> {
  const caller = await pushCaller(ctx, req, id);
  const existing = await ctx.pushStore.getPushDevice(caller.appId, id);
  if (req.method === 'PATCH' && !existing) throw Errors.notFound(`No device ${id}`);
  const reg = parseRegistration(decodeBody(req), id, req.method === 'PATCH' ? existing : undefined);
  requireMayRegister(caller, reg, existing);
  return respond(req, 200, await store(ctx, caller, reg, existing, false));
}

/** Refuses unless the caller is a push admin or proves it is this device (RSH1b1, RSH1b4). */
function requireAdminOrDevice(caller: PushCaller, id: string): void {
  if (caller.device?.id === id && permitsSomewhere(caller.auth.capability, 'push-subscribe'))
    return;
  requirePushAdmin(caller, `device ${id}`);
}

/** GET /push/deviceRegistrations/{id} (RSH1b1): 404 when unknown. */
export async function getDeviceRoute(
  ctx: EngineContext,
  req: RestRequest,
  id: string,
): Promise<RestResponse> {
  const caller = await pushCaller(ctx, req, id);
  requireAdminOrDevice(caller, id);
  const device = await ctx.pushStore.getPushDevice(caller.appId, id);
  if (!device) throw Errors.notFound(`No device ${id}`);
  const wire = deviceToWire(device);
  // Ably's admin get includes the secret (RSH1b1); the device itself already knows it.
  if (isPushAdmin(caller) && device.deviceSecret !== undefined)
    wire.deviceSecret = device.deviceSecret;
  return respond(req, 200, wire);
}

/** DELETE /push/deviceRegistrations/{id} (RSH1b4): removing an unknown device succeeds. */
export async function removeDeviceRoute(
  ctx: EngineContext,
  req: RestRequest,
  id: string,
): Promise<RestResponse> {
  const caller = await pushCaller(ctx, req, id);
  requireAdminOrDevice(caller, id);
  await ctx.pushStore.removePushDevices({ appId: caller.appId, deviceId: id });
  return respond(req, 204, undefined);
}

/** The deviceId and clientId filters of a listing or removal. */
function deviceFilter(req: RestRequest, appId: string) {
  const deviceId = req.query.get('deviceId') ?? undefined;
  const clientId = req.query.get('clientId') ?? undefined;
  return {
    appId,
    ...(deviceId === undefined ? {} : { deviceId }),
    ...(clientId === undefined ? {} : { clientId }),
  };
}

/** GET /push/deviceRegistrations (RSH1b2): filters `deviceId`, `clientId`; `limit`; Link paging. */
export async function listDevicesRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const filter = deviceFilter(req, '');
  const caller = await pushCaller(ctx, req, filter.deviceId);
  if (filter.deviceId === undefined) requirePushAdmin(caller, 'listing devices');
  else requireAdminOrDevice(caller, filter.deviceId);
  const cursor = req.query.get('cursor') ?? undefined;
  const page = await ctx.pushStore.listPushDevices(
    { ...filter, appId: caller.appId },
    { limit: pageLimit(req, ctx.limits.maxHistoryLimit), ...(cursor ? { cursor } : {}) },
  );
  return respond(
    req,
    200,
    page.items.map((d) => deviceToWire(d)),
    { link: linkHeader('deviceRegistrations', req.query, page.next) },
  );
}

/** DELETE /push/deviceRegistrations (RSH1b5 removeWhere): by `deviceId` and/or `clientId`. */
export async function removeDevicesRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const filter = deviceFilter(req, '');
  const caller = await pushCaller(ctx, req, filter.deviceId);
  if (filter.deviceId === undefined) requirePushAdmin(caller, 'removing devices');
  else requireAdminOrDevice(caller, filter.deviceId);
  // Without a filter this would remove every device of the app: refused, not guessed at.
  if (filter.deviceId === undefined && filter.clientId === undefined)
    throw Errors.badRequest('removeWhere needs deviceId or clientId');
  await ctx.pushStore.removePushDevices({ ...filter, appId: caller.appId });
  return respond(req, 204, undefined);
}
