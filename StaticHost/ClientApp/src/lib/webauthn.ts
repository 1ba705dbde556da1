// Passkeys through WebAuthn: WebApi (ASP.NET Core Identity) writes the options as WebAuthn's JSON form and reads the
// credential back in the same form (PublicKeyCredential.toJSON()).
import { api } from "./api";

type Json = Record<string, unknown>;

export const passkeysSupported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

const fromBase64Url = (value: string): ArrayBuffer => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return bytes.buffer;
};

const toBase64Url = (buffer: ArrayBuffer | ArrayBufferView): string => {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

type StaticJson = {
  parseCreationOptionsFromJSON?: (json: Json) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (json: Json) => PublicKeyCredentialRequestOptions;
};

const withIds = (list: unknown) =>
  Array.isArray(list) ? list.map((c: Json) => ({ ...c, id: fromBase64Url(c["id"] as string) })) : undefined;

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const parse = (PublicKeyCredential as unknown as StaticJson).parseCreationOptionsFromJSON;
  if (parse) return parse(json);
  const user = json["user"] as Json;
  return {
    ...json,
    challenge: fromBase64Url(json["challenge"] as string),
    user: { ...user, id: fromBase64Url(user["id"] as string) },
    excludeCredentials: withIds(json["excludeCredentials"]),
  } as unknown as PublicKeyCredentialCreationOptions;
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const parse = (PublicKeyCredential as unknown as StaticJson).parseRequestOptionsFromJSON;
  if (parse) return parse(json);
  return {
    ...json,
    challenge: fromBase64Url(json["challenge"] as string),
    allowCredentials: withIds(json["allowCredentials"]),
  } as unknown as PublicKeyCredentialRequestOptions;
}

/** The credential as WebAuthn's JSON: toJSON() where the browser has it, else the same shape built by hand. */
function credentialJson(credential: PublicKeyCredential): string {
  const native = (credential as unknown as { toJSON?: () => unknown }).toJSON;
  if (native) return JSON.stringify(native.call(credential));
  const response = credential.response as AuthenticatorAttestationResponse & AuthenticatorAssertionResponse;
  const encoded: Json = { clientDataJSON: toBase64Url(response.clientDataJSON) };
  if ("attestationObject" in response && response.attestationObject) {
    encoded["attestationObject"] = toBase64Url(response.attestationObject);
    encoded["transports"] = response.getTransports?.() ?? [];
  }
  if ("authenticatorData" in response && response.authenticatorData) {
    encoded["authenticatorData"] = toBase64Url(response.authenticatorData);
    encoded["signature"] = toBase64Url(response.signature);
    if (response.userHandle) encoded["userHandle"] = toBase64Url(response.userHandle);
  }
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment,
    response: encoded,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

/** Registers a new passkey for the signed-in account. */
export async function addPasskey(name: string): Promise<void> {
  const { data } = await api<Json>("POST", "/api/account/passkeys/creation-options");
  const credential = (await navigator.credentials.create({ publicKey: creationOptions(data) })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was created.");
  await api("POST", "/api/account/passkeys", { body: { credentialJson: credentialJson(credential), name: name || null } });
}

/** Signs in with a passkey the authenticator offers (discoverable credentials: no email asked). */
export async function signInWithPasskey(): Promise<void> {
  const { data } = await api<Json>("POST", "/api/account/passkeys/request-options");
  const credential = (await navigator.credentials.get({ publicKey: requestOptions(data) })) as PublicKeyCredential | null;
  if (!credential) throw new Error("No passkey was chosen.");
  await api("POST", "/api/account/passkeys/sign-in", { body: { credentialJson: credentialJson(credential) } });
}

/** A WebAuthn failure as a sentence: the reader cancelling is not an error worth alarming them with. */
export function describePasskeyError(error: unknown): string | null {
  if (error instanceof DOMException) {
    if (error.name === "NotAllowedError" || error.name === "AbortError") return "The passkey request was cancelled or timed out.";
    if (error.name === "InvalidStateError") return "This authenticator already holds a passkey for this account.";
    if (error.name === "SecurityError") return "Passkeys need this site on HTTPS under its own name.";
    return error.message;
  }
  return null;
}
