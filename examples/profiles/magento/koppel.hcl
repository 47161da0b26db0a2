# A Magento 2 / Adobe Commerce store linked to SnelStart online.
# In the Magento admin: System > Extensions > Integrations > Add New Integration, give it the
# resources Sales (Magento_Sales::sales) and Catalog/Inventory, activate it and copy the four
# credentials into the environment variables below.
koppel {
  state_dir  = "./state"
  plugin_dir = "../../../bin"
}
