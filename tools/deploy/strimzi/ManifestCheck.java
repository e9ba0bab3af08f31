import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.File;
import java.util.Map;

/**
 * Reads the rendered manifests (a JSON array of {source, resource}) into the Java models the
 * operators themselves use: Strimzi's API model (io.strimzi:api) for kafka.strimzi.io/v1 and
 * fabric8's Kubernetes model for the built-in kinds. Unknown fields fail: the models keep
 * unknown properties in a map through @JsonAnySetter, so the mapper here is told that no class
 * has one and that none ignores unknown properties. Prints one JSON line per resource:
 * {"index", "kind", "name", "checked", "errors"}.
 */
public class ManifestCheck {
    private static final Map<String, String> MODELS = Map.ofEntries(
        Map.entry("kafka.strimzi.io/v1/Kafka", "io.strimzi.api.kafka.model.kafka.Kafka"),
        Map.entry("kafka.strimzi.io/v1/KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool"),
        Map.entry("kafka.strimzi.io/v1/KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic"),
        Map.entry("kafka.strimzi.io/v1/KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser"),
        Map.entry("kafka.strimzi.io/v1/KafkaConnect", "io.strimzi.api.kafka.model.connect.KafkaConnect"),
        Map.entry("kafka.strimzi.io/v1/KafkaConnector", "io.strimzi.api.kafka.model.connector.KafkaConnector"),
        Map.entry("kafka.strimzi.io/v1/KafkaMirrorMaker2", "io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2"),
        Map.entry("apps/v1/Deployment", "io.fabric8.kubernetes.api.model.apps.Deployment"),
        Map.entry("apps/v1/StatefulSet", "io.fabric8.kubernetes.api.model.apps.StatefulSet"),
        Map.entry("v1/Service", "io.fabric8.kubernetes.api.model.Service"),
        Map.entry("v1/ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap"),
        Map.entry("v1/Secret", "io.fabric8.kubernetes.api.model.Secret"),
        Map.entry("v1/PersistentVolumeClaim", "io.fabric8.kubernetes.api.model.PersistentVolumeClaim"),
        Map.entry("v1/ServiceAccount", "io.fabric8.kubernetes.api.model.ServiceAccount"),
        Map.entry("v1/Namespace", "io.fabric8.kubernetes.api.model.Namespace"),
        Map.entry("policy/v1/PodDisruptionBudget", "io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget"),
        Map.entry("autoscaling/v2/HorizontalPodAutoscaler", "io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler")
    );

    /** Every model as if it had no catch-all for unknown properties. */
    static final class Strict extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(
            com.fasterxml.jackson.databind.cfg.MapperConfig<?> config, Annotated a) {
            JsonIgnoreProperties.Value value = super.findPropertyIgnoralByName(config, a);
            return value == null ? null : value.withoutIgnoreUnknown();
        }
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper reader = new ObjectMapper();
        ObjectMapper strict = JsonMapper.builder()
            .annotationIntrospector(new Strict())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
        JsonNode entries = reader.readTree(new File(args[0]));
        int index = 0;
        for (JsonNode entry : entries) {
            JsonNode resource = entry.get("resource");
            String kind = resource.path("kind").asText();
            String key = resource.path("apiVersion").asText() + "/" + kind;
            ObjectNode result = reader.createObjectNode();
            result.put("index", index++);
            result.put("kind", kind);
            result.put("name", resource.path("metadata").path("name").asText());
            ArrayNode errors = result.putArray("errors");
            String model = MODELS.get(key);
            result.put("checked", model != null);
            if (model != null) {
                try {
                    strict.treeToValue(resource, Class.forName(model));
                } catch (Exception e) {
                    errors.add(e.getMessage().split("\n")[0] + pathOf(e));
                }
            }
            System.out.println(reader.writeValueAsString(result));
        }
    }

    private static String pathOf(Exception e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping) {
            StringBuilder path = new StringBuilder();
            for (var reference : mapping.getPath()) {
                if (reference.getFieldName() != null) path.append('/').append(reference.getFieldName());
                else path.append('/').append(reference.getIndex());
            }
            return " (at " + (path.length() == 0 ? "/" : path) + ")";
        }
        return "";
    }
}
