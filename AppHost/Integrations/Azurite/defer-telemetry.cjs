'use strict';
// Preloaded into Azurite (NODE_OPTIONS --require). Azurite requires its Application Insights client, and with it
// the OpenTelemetry SDK, when it loads, although it never touches it with --disableTelemetry: that load was about
// 60% of its start (1.2 s of CPU on this machine, on the stack's critical path). Here the require returns a proxy
// that loads the real module on first use, so a run with telemetry on behaves as before.
const Module = require('node:module');

const deferred = new Set(['applicationinsights']);
const load = Module._load;

Module._load = function (request, parent, isMain) {
  if (!deferred.has(request)) {
    return load.apply(this, arguments);
  }

  let loaded;
  const real = () => (loaded ??= load.call(this, request, parent, isMain));
  return new Proxy({}, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, value) => Reflect.set(real(), key, value),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may not report a property non-configurable that its own (empty) target lacks.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
};
