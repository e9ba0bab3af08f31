import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/** The partition the Java producer gives each key (args: partitions, then keys), one per line. */
public class JavaPartitions {
  public static void main(String[] args) {
    int partitions = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
      System.out.println(BuiltInPartitioner.partitionForKey(key, partitions));
    }
  }
}
