namespace DepMap.Demo;

/// <summary>The simulated systems <c>depmap demo</c> runs, by the names <c>--system</c> takes.</summary>
internal static class DemoSystems
{
    public const string LogisticsName = "logistics";
    public const string ThirtyName = "thirty";

    /// <summary>The service that fails a few percent of its requests itself, so the ranking has a clear first.</summary>
    public const string FailingService = "ledger";

    /// <summary>The dependency that appears part-way through a run.</summary>
    public const string ChangeCaller = "cart";
    public const string ChangeCallee = "recommendations";

    /// <summary>The API the payments service calls that reports no spans of its own.</summary>
    public const string ExternalPeer = "acme-pay";

    private const double Often = 0.6;
    private const double Noise = 0.001;

    /// <summary>
    /// The article's example (shared/seed-distributed-tracing.md, docs/examples): <c>logistics</c>
    /// serves GET /shipment/:id, works about 10 ms, spends about 30 ms on a SQL select and calls
    /// <c>tracking</c>, which queries its own database.
    /// </summary>
    public static SimSystem Logistics { get; } = new(LogisticsName, Index(
        Service("logistics", "logistics", Protocol.Http, 4, Op("GET /shipment/:id",
            new WorkStep("logistics processing", new(10, 0.15)),
            Query("postgresql", "logistics-db", "SELECT", "SELECT * FROM shipments WHERE id = $1", 30, 0.25),
            Call("tracking", 1))),
        Service("tracking", "logistics", Protocol.Http, 3, Op("GET /tracking/:id",
            Query("postgresql", "tracking-db", "SELECT", "SELECT * FROM tracking_events WHERE shipment_id = $1", 20, 0.3)))),
        "logistics")
    {
        DefaultRate = 2,
    };

    /// <summary>
    /// The 30-service system of docs/ranking.md (tests' SyntheticSystem), in six namespaces, made
    /// to show every kind of node and edge: databases, a Kafka queue from <c>orders</c> and
    /// <c>billing</c> to <c>notifications</c>, an uninstrumented payment API, one cycle
    /// (<c>payments</c> asks <c>orders</c> for an order's status), a deep <c>ledger</c> that fails
    /// about 8% of its requests, a slow <c>recommendations</c>, and a change part-way through:
    /// <c>cart</c> starts calling <c>recommendations</c>.
    /// </summary>
    public static SimSystem Thirty { get; } = new(ThirtyName, Index(
        Service("gateway", "edge", Protocol.Http, 1.5,
            Op("GET /api/profile", Call("users", 1)),
            Op("GET /api/settings", Call("settings", 1)),
            Op("POST /api/billing/charge", Call("billing", 1)),
            Op("POST /api/orders", Call("orders", 1)),
            Op("GET /api/catalog/{id}", Call("catalog", 1)),
            Op("GET /api/search", Call("search", 1))),
        Service("users", "identity", Protocol.Http, 2, Op("GET /users/{id}",
            Query("postgresql", "users-db", "SELECT", "SELECT * FROM users WHERE id = $1", 3, 0.5), Call("profiles"), Call("auth"))),
        Service("settings", "identity", Protocol.Http, 1.5, Op("GET /settings", Call("preferences"), Call("sessions"))),
        Service("billing", "finance", Protocol.Http, 3, Op("POST /billing/charge",
            Call("invoices"), Call("payments"), Publish("billing-events", "process billing-events"))),
        Service("orders", "commerce", Protocol.Http, 3,
            Op("POST /orders",
                Query("postgresql", "orders-db", "INSERT", "INSERT INTO orders (customer_id, total) VALUES ($1, $2)", 4, 0.5),
                Call("cart"), Call("inventory"), Call("payments"), Publish("order-events", "process order-events")),
            Op("GET /orders/{id}/status",
                Query("postgresql", "orders-db", "SELECT", "SELECT status FROM orders WHERE id = $1", 2, 0.4))),
        Service("catalog", "commerce", Protocol.Http, 2, Op("GET /catalog/{id}",
            Query("postgresql", "catalog-db", "SELECT", "SELECT * FROM products WHERE id = $1", 3, 0.5),
            Call("pricing"), Call("reviews"), Call("inventory"))),
        Service("search", "commerce", Protocol.Http, 6, Op("GET /search", Call("recommendations"), Call("pricing"))),
        Service("profiles", "identity", Protocol.Http, 1.5, Op("GET /profiles/{id}", Call("images"), Call("sessions"))),
        Service("preferences", "identity", Protocol.Http, 1, Op("GET /preferences", Call("sessions"))),
        Service("invoices", "finance", Protocol.Http, 2.5, Op("POST /invoices", Call("ledger"), Call("tax"))),
        Service("payments", "finance", Protocol.Http, 3, Op("POST /payments",
            Call("fraud"),
            new ExternalStep(ExternalPeer, "api.acme-pay.example", "POST /v1/charges", new(180, 0.35), 0.01) { Probability = 0.8 },
            Call("ledger"), Call("currency"),
            // The cycle: payments asks orders for the order's status before confirming.
            new CallStep("orders", "GET /orders/{id}/status") { Probability = 0.3 })),
        Service("cart", "commerce", Protocol.Http, 1.5, Op("GET /cart",
            Call("pricing"), Call("sessions"),
            new CallStep(ChangeCallee, PassesOnFailure: false) { Probability = Often, AfterChange = true })),
        Service("inventory", "fulfilment", Protocol.Http, 2, Op("GET /inventory/{sku}", Call("warehouse"))),
        Service("pricing", "commerce", Protocol.Http, 1.5, Op("GET /prices/{sku}", Call("currency"), Call("tax"))),
        Service("recommendations", "commerce", Protocol.Http, 120, 0.6, Op("GET /recommendations", Call("ratings"))),
        Service("reviews", "commerce", Protocol.Http, 2, Op("GET /reviews/{product}",
            Query("mongodb", "reviews-db", "find", "db.reviews.find({ product: ? })", 5, 0.5), Call("ratings"), Call("images"))),
        Service("notifications", "comms", Protocol.Http, 2,
            Op("process order-events", Call("email"), Call("sms")),
            Op("process billing-events", Call("email", 0.8))),
        Service("auth", "identity", Protocol.Http, 2, Op("POST /auth/verify", Call("audit"))),
        Service(FailingService, "finance", Protocol.Grpc, 2.5, 0.5, 0.08, Op("ledger.Ledger/Post",
            Query("postgresql", "ledger-db", "INSERT", "INSERT INTO entries (account, amount) VALUES ($1, $2)", 4, 0.5), Call("audit"))),
        Service("warehouse", "fulfilment", Protocol.Http, 2, Op("GET /stock/{sku}",
            Query("mysql", "warehouse-db", "SELECT", "SELECT quantity FROM stock WHERE sku = ?", 3, 0.5), Call("shipping"))),
        Service("sessions", "identity", Protocol.Http, 0.8, Op("GET /sessions/{id}",
            Query("redis", "sessions-cache", "GET", "GET session:?", 0.4, 0.4))),
        Service("audit", "identity", Protocol.Http, 1, Op("POST /audit",
            Query("postgresql", "audit-db", "INSERT", "INSERT INTO audit_log (actor, action) VALUES ($1, $2)", 2, 0.4))),
        Service("images", "commerce", Protocol.Http, 4, Op("GET /images/{id}")),
        Service("tax", "finance", Protocol.Grpc, 1.5, Op("tax.Tax/Quote")),
        Service("currency", "finance", Protocol.Grpc, 1, Op("currency.Rates/Convert")),
        Service("fraud", "finance", Protocol.Grpc, 8, Op("fraud.Fraud/Score")),
        Service("ratings", "commerce", Protocol.Http, 2, Op("GET /ratings/{product}")),
        Service("email", "comms", Protocol.Http, 25, Op("POST /email")),
        Service("sms", "comms", Protocol.Http, 40, Op("POST /sms")),
        Service("shipping", "fulfilment", Protocol.Http, 6, Op("POST /shipments/quote"))),
        "gateway")
    {
        Change = $"{ChangeCaller} now calls {ChangeCallee} (a new dependency)",
        DefaultRate = 10,
    };

    /// <summary>The systems a <c>--system</c> value names: logistics, thirty or all.</summary>
    public static IReadOnlyList<SimSystem>? Named(string name) => name switch
    {
        LogisticsName => [Logistics],
        ThirtyName => [Thirty],
        "all" => [Logistics, Thirty],
        _ => null,
    };

    private static SimService Service(string name, string ns, Protocol protocol, double workMs, params SimOperation[] operations) =>
        Service(name, ns, protocol, workMs, 0.4, Noise, operations);

    private static SimService Service(string name, string ns, Protocol protocol, double workMs, double sigma, params SimOperation[] operations) =>
        Service(name, ns, protocol, workMs, sigma, Noise, operations);

    private static SimService Service(string name, string ns, Protocol protocol, double workMs, double sigma, double failureRate,
        params SimOperation[] operations) =>
        new(name, ns, protocol, new Latency(workMs, sigma), failureRate, operations.ToDictionary(o => o.Name));

    private static SimOperation Op(string name, params Step[] steps) => new(name, steps);

    private static CallStep Call(string service, double probability = Often) => new(service) { Probability = probability };

    private static QueryStep Query(string system, string ns, string operation, string query, double medianMs, double sigma) =>
        new(system, ns, operation, query, new Latency(medianMs, sigma));

    private static PublishStep Publish(string topic, string operation) =>
        new("kafka", topic, "notifications", operation, new Latency(12, 0.8)) { Probability = Often };

    private static Dictionary<string, SimService> Index(params SimService[] services) => services.ToDictionary(s => s.Name);
}
