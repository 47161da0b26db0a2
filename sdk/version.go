package sdk

// Version is the version of this SDK. Serve stamps it into PluginInfo.SDKVersion.
const Version = "0.1.0"
