package org.falcosecurity.talon.notifiers;

import com.google.gson.annotations.SerializedName;
import org.apache.camel.component.slack.helper.SlackMessage;

/**
 * A Slack incoming-webhook message in Slack's own field names.
 *
 * <p>camel-slack serialises a {@link SlackMessage} with Gson field names ({@code iconUrl}), which Slack ignores, and
 * overwrites channel, user name and icons with the endpoint's options. This subclass writes {@code icon_url} and the
 * fields' {@code short} under Slack's names and keeps the endpoint from overwriting anything: the webhook decides the
 * channel, and the message carries its own user name and icon.
 */
public final class SlackPayload extends SlackMessage {

    @SerializedName("icon_url")
    private String slackIconUrl;

    SlackPayload(String username, String iconUrl) {
        super.setUsername(username == null || username.isEmpty() ? null : username);
        this.slackIconUrl = iconUrl == null || iconUrl.isEmpty() ? null : iconUrl;
    }

    public String getSlackIconUrl() {
        return slackIconUrl;
    }

    /** Ignored: an incoming webhook posts to its own channel. */
    @Override
    public void setChannel(String channel) {
        // the producer sets the endpoint's channel here; the message must not name one
    }

    /** Ignored: the user name comes from {@code notifiers.slack.username}. */
    @Override
    public void setUsername(String username) {
        // the producer sets the endpoint's (empty) user name here
    }

    /** Ignored: the icon comes from {@code notifiers.slack.icon}, written as {@code icon_url}. */
    @Override
    public void setIconUrl(String iconUrl) {
        // camel-slack would write it as "iconUrl", which Slack ignores
    }

    @Override
    public void setIconEmoji(String iconEmoji) {
        // not used
    }

    /** An attachment field, with Slack's {@code short} flag. */
    public static final class Field extends SlackMessage.Attachment.Field {

        @SerializedName("short")
        private final Boolean slackShort;

        Field(String title, String value, boolean isShort) {
            setTitle(title);
            setValue(value);
            this.slackShort = isShort;
        }

        public Boolean getSlackShort() {
            return slackShort;
        }
    }
}
