using ReadinessAspire.Hosting.ApplicationModel;

namespace ReadinessAspire.Hosting.Orchestration;

/// <summary>Gives every endpoint of every replica a port on 127.0.0.1 before anything starts, so references resolve.</summary>
internal static class EndpointAllocator
{
    public static void Allocate(DistributedApplicationModel model, DistributedApplicationOptions options)
    {
        var taken = new HashSet<int>();
        foreach (var resource in model)
        {
            resource.Annotations.RemoveAll(a => a is AllocatedEndpointsAnnotation);
            var endpoints = resource.OfAnnotation<EndpointAnnotation>().ToList();
            if (endpoints.Count == 0)
            {
                continue;
            }

            var allocated = new List<AllocatedEndpoint>();
            for (var replica = 0; replica < resource.Replicas(); replica++)
            {
                foreach (var endpoint in endpoints)
                {
                    allocated.Add(new AllocatedEndpoint(endpoint.Name, endpoint.Scheme, "127.0.0.1", ChoosePort(resource, endpoint, options, taken), replica));
                }
            }

            resource.Annotations.Add(new AllocatedEndpointsAnnotation(allocated));
        }
    }

    private static int ChoosePort(IResource resource, EndpointAnnotation endpoint, DistributedApplicationOptions options, HashSet<int> taken)
    {
        if (endpoint.Port is { } fixedPort && !options.RandomizePorts)
        {
            if (resource.Replicas() > 1)
            {
                throw new DistributedApplicationException($"{resource.Name}: a fixed port ({fixedPort}) cannot be shared by {resource.Replicas()} replicas.");
            }

            if (!taken.Add(fixedPort) || !PortAllocator.IsFree(fixedPort))
            {
                throw new DistributedApplicationException($"{resource.Name}: port {fixedPort} on 127.0.0.1 is already in use; stop what holds it or choose another port.");
            }

            return fixedPort;
        }

        while (true)
        {
            var port = PortAllocator.GetFreePort();
            if (taken.Add(port))
            {
                return port;
            }
        }
    }
}
