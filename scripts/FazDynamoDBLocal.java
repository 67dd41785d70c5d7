// FazDynamoDBLocal starts the official DynamoDB Local server bound to one host
// (127.0.0.1 by default, -Dfaz.bind=HOST to change) instead of every interface.
// DynamoDB Local 3.x has no bind option: its ServerRunner builds a Jetty server
// with `new Server(port)`, which listens on all interfaces. We build the server
// the same way, set the host on its connectors before starting it, and start it.
//
// scripts/dynamodb-local compiles this file against the DynamoDB Local jars.
import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class FazDynamoDBLocal {
    private FazDynamoDBLocal() {}

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("faz.bind", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server server = (Server) f.get(proxy);
        int bound = 0;
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector) {
                ((ServerConnector) c).setHost(host);
                bound++;
            }
        }
        if (bound == 0) {
            throw new IllegalStateException("no Jetty ServerConnector found to bind to " + host);
        }
        proxy.start();
        System.out.println("FazDynamoDBLocal: listening on " + host + " (" + String.join(" ", args) + ")");
    }
}
