// The app's own resources, in one resource group. No connection string with a key anywhere: the app
// reaches storage, Key Vault and App Insights with its user-assigned identity.
param location string
param tags object
param resourceToken string

@secure()
param acrWebhookSecret string

@secure()
param acrWebhookSecretSecondary string = ''

@description('App settings autopilot.yaml names (tokenFrom, urlFrom, …): each becomes a Key Vault reference.')
param secretSettingNames array = []

@description('IANA time zone of the retention schedule (WEBSITE_TIME_ZONE); empty = UTC.')
param timeZone string = ''

@description('Object id of whoever deploys (azd: AZURE_PRINCIPAL_ID): may write the vault\'s secrets. Empty = nobody.')
param deployerPrincipalId string = ''

// Must match shared/domain/messages/queues.ts and the table names in shared/runtime and
// shared/adapters/table (test/unit/infra checks both ways).
var actionQueues = ['image-events', 'pin-requests', 'deploy-requests', 'notifications', 'retention-requests']
var tables = ['autopilotdedupe', 'autopilotstate']
var deploymentContainer = 'app-package-${resourceToken}'
// Event Grid writes events it could not deliver here, as <SUBSCRIPTION>/<yyyy>/<m>/<d>/<h>/<guid>.json.
var deadLetterContainerName = 'eventgrid-deadletter'

// Built-in role definition ids (shared/reference/teams-infra-security.md §4.1–4.2).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-autopilot-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stautopilot${take(resourceToken, 13)}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in concat(actionQueues, map(actionQueues, q => '${q}-poison')): {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-autopilot-${resourceToken}'
  location: location
  tags: tags
  properties: { retentionInDays: 30, sku: { name: 'PerGB2018' } }
}

// The Functions host sends with Entra (APPLICATIONINSIGHTS_AUTHENTICATION_STRING, Monitoring Metrics
// Publisher). The app's own OpenTelemetry exporter authenticates with the connection string alone
// (it is given no token credential), so local auth stays on: DisableLocalAuth would drop its data.
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-autopilot-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: false
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-ap-${take(resourceToken, 17)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'acr-webhook-secret'
  properties: { value: acrWebhookSecret }
}

resource webhookSecretSecondary 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(acrWebhookSecretSecondary)) {
  parent: vault
  name: 'acr-webhook-secret-secondary'
  properties: { value: acrWebhookSecretSecondary }
}

// The identity: data roles on this storage account only (Blob Data Owner because the Functions host
// keeps its leases and keys in blobs and Flex Consumption reads the package container with it).
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Reads secrets (Key Vault references), on this vault only, which holds nothing but the app's secrets.
resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer writes the secrets autopilot.yaml names (az keyvault secret set); only when given.
resource deployerVaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-autopilot-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

// A Key Vault reference without a version follows the secret's latest version.
var vaultSecretUri = '${vault.properties.vaultUri}secrets/'

// Every setting here is listed in appSettingNames (shared/config/app-settings.ts), README's "App
// settings" table and local.settings.example.json (test/unit/infra/settings-parity.test.ts).
// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME: the runtime is functionAppConfig.runtime.
var baseSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
  { name: 'AUTOPILOT_CONFIG', value: 'autopilot.yaml' }
  // DefaultAzureCredential (Entra-authenticated deploy targets, retention on ACR) uses this identity.
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'ACR_WEBHOOK_SECRET', value: '@Microsoft.KeyVault(SecretUri=${webhookSecret.properties.secretUri})' }
]

// Only when given: an empty WEBSITE_TIME_ZONE would say nothing, and the retention schedule reads it.
var timeZoneSettings = empty(timeZone) ? [] : [{ name: 'WEBSITE_TIME_ZONE', value: timeZone }]

var rotationSettings = empty(acrWebhookSecretSecondary)
  ? []
  : [
      {
        name: 'ACR_WEBHOOK_SECRET_SECONDARY'
        value: '@Microsoft.KeyVault(SecretUri=${vaultSecretUri}acr-webhook-secret-secondary)'
      }
    ]

// GITOPS_TOKEN → secret GITOPS-TOKEN (secret names allow letters, digits and dashes).
var configSecretSettings = [
  for setting in secretSettingNames: {
    name: setting
    value: '@Microsoft.KeyVault(SecretUri=${vaultSecretUri}${replace(setting, '_', '-')})'
  }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-autopilot-${resourceToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'app' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }
        }
      }
      scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 40 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(baseSettings, timeZoneSettings, rotationSettings, configSecretSettings)
    }
  }
  dependsOn: [storageRoles, vaultRole, metricsRole, webhookSecretSecondary, packageContainer, queues, storageTables]
}

output functionAppId string = functionApp.id
output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output storageAccountId string = storage.id
output deadLetterContainerName string = deadLetterContainer.name
output identityPrincipalId string = identity.properties.principalId
output keyVaultName string = vault.name
output applicationInsightsConnectionString string = insights.properties.ConnectionString
