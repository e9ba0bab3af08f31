import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * Upserts SCRAM-SHA-512 users through a running broker with Kafka's Admin API, in one request.
 * Usage: java -cp '<kafka jars>/*' ScramUsers.java <admin client properties>, with one
 * "<user>\t<password>" line per user on standard input: no password on a command line, none
 * printed (an error names the users only).
 */
public class ScramUsers {
  public static void main(String[] args) throws Exception {
    Properties client = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      client.load(in);
    }
    List<UserScramCredentialAlteration> alterations = new ArrayList<>();
    List<String> users = new ArrayList<>();
    BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = lines.readLine()) != null; ) {
      int tab = line.indexOf('\t');
      if (tab <= 0) continue;
      users.add(line.substring(0, tab));
      alterations.add(
          new UserScramCredentialUpsertion(
              line.substring(0, tab),
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
              line.substring(tab + 1)));
    }
    try (Admin admin = Admin.create(client)) {
      admin.alterUserScramCredentials(alterations).all().get();
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("upserting " + users + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
      System.exit(1);
    }
  }
}
