package dev.cascade.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The raw floor of webhook intake: the least an endpoint with a durable acknowledgement must do. Each POST
 * is one PostgreSQL insert of the delivery, then one Kafka produce with {@code acks=all}, then the answer.
 * No verification, no parsing, no de-duplication.
 *
 * <p>Arguments: {@code httpPort pgPort pgUser kafkaBootstrap}; prints {@code ready} when it listens.
 */
public final class FloorServer {

    static final String DATABASE = "bench";
    static final String TOPIC = "bench.floor";

    public static void main(String[] args) throws Exception {
        int httpPort = Integer.parseInt(args[0]);
        int pgPort = Integer.parseInt(args[1]);
        String pgUser = args[2];
        String bootstrap = args[3];

        Vertx vertx = Vertx.vertx();
        PgConnectOptions admin = new PgConnectOptions().setHost("localhost").setPort(pgPort).setUser(pgUser).setPassword(pgUser)
                .setDatabase("postgres");
        PgPool adminPool = PgPool.pool(vertx, admin, new PoolOptions().setMaxSize(1));
        adminPool.query("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'").execute()
                .compose(rows -> rows.size() > 0 ? Future.succeededFuture()
                        : adminPool.query("CREATE DATABASE " + DATABASE).execute().mapEmpty())
                .toCompletionStage().toCompletableFuture().get();
        adminPool.close();

        // the same pool size as trigger-service's reactive datasource
        PgPool pool = PgPool.pool(vertx, new PgConnectOptions(admin).setDatabase(DATABASE), new PoolOptions().setMaxSize(20));
        pool.query("CREATE TABLE IF NOT EXISTS floor_delivery (id UUID PRIMARY KEY, delivery TEXT NOT NULL, body BYTEA NOT NULL,"
                + " received_at TIMESTAMPTZ NOT NULL)").execute().toCompletionStage().toCompletableFuture().get();

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props);

        vertx.createHttpServer().requestHandler(request -> handle(vertx, pool, producer, request))
                .listen(httpPort).toCompletionStage().toCompletableFuture().get();
        System.out.println("ready");
    }

    private static void handle(Vertx vertx, PgPool pool, KafkaProducer<String, byte[]> producer, HttpServerRequest request) {
        String delivery = request.getHeader("X-GitHub-Delivery");
        request.body()
                .compose(body -> pool.preparedQuery("INSERT INTO floor_delivery (id, delivery, body, received_at) VALUES ($1, $2, $3, $4)")
                        .execute(Tuple.of(UUID.randomUUID(), delivery, body, OffsetDateTime.now()))
                        .compose(x -> produce(vertx, producer, delivery, body.getBytes())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                                .end("{\"deliveryId\":\"" + delivery + "\"}");
                    } else {
                        request.response().setStatusCode(500).end(String.valueOf(ar.cause()));
                    }
                });
    }

    private static Future<Void> produce(Vertx vertx, KafkaProducer<String, byte[]> producer, String key, byte[] value) {
        Promise<Void> sent = Promise.promise();
        var context = vertx.getOrCreateContext();
        producer.send(new ProducerRecord<>(TOPIC, key, value), (metadata, error) -> context.runOnContext(x -> {
            if (error != null) {
                sent.fail(error);
            } else {
                sent.complete();
            }
        }));
        return sent.future();
    }
}
