// beforeSend recipe: enrich every message's context with the service that sent it, read once from
// the OpenTelemetry Resource of your setup (the one you give your providers or NodeSDK).
export function contextFromResource(resource) {
  const attributes = resource.attributes;
  const app = { name: attributes['service.name'], version: attributes['service.version'] };
  const environment = attributes['deployment.environment.name'];
  return (message) => {
    message.context.app = { ...app, ...message.context.app };
    if (environment !== undefined) message.context.environment ??= environment;
    return message;
  };
}
